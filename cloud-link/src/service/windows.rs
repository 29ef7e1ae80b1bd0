//! The Windows service: `cloud-link service …` registers and drives it
//! through the service control manager, and the service control manager
//! starts it as `cloud-link --config PATH run --service`, which hands the
//! work loop to [`dispatch`].

use std::{
    ffi::{OsStr, OsString},
    path::Path,
    sync::{mpsc, Mutex},
    time::Duration,
};

use windows_service::{
    define_windows_service,
    service::{
        ServiceAccess, ServiceControl, ServiceControlAccept, ServiceErrorControl, ServiceExitCode,
        ServiceInfo, ServiceStartType, ServiceState, ServiceStatus, ServiceType,
    },
    service_control_handler::{self, ServiceControlHandlerResult},
    service_dispatcher,
    service_manager::{ServiceManager, ServiceManagerAccess},
};

use super::{windows_service_name, windows_slot, Action, Slot, WINDOWS_INSTANCES, WINDOWS_SERVICE};
use crate::config::Config;

/// Does `action`; the lines to print, or what went wrong.
pub fn run(action: Action, config: &Config, config_path: &Path) -> Result<Vec<String>, String> {
    let config_path = config_path
        .canonicalize()
        .map_err(|error| format!("cannot find {}: {error}", config_path.display()))?;
    let manager_access = if action == Action::Install {
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE
    } else {
        ServiceManagerAccess::CONNECT
    };
    let manager =
        ServiceManager::local_computer(None::<&str>, manager_access).map_err(|error| {
            format!("cannot reach the service control manager ({error}): run as an administrator")
        })?;
    let installed: Vec<Option<String>> = (1..=WINDOWS_INSTANCES)
        .map(|number| {
            let service = manager
                .open_service(windows_service_name(number), ServiceAccess::QUERY_CONFIG)
                .ok()?;
            let config = service.query_config().ok()?;
            Some(config.executable_path.to_string_lossy().into_owned())
        })
        .collect();
    let slot = windows_slot(&installed, &config_path.to_string_lossy())?;
    let failed = |what: &str, name: &str| {
        let (what, name) = (what.to_owned(), name.to_owned());
        move |error: windows_service::Error| format!("cannot {what} the service {name}: {error}")
    };
    match (action, slot) {
        (Action::Install, Slot::Ours(name)) => Ok(vec![format!(
            "this folder is installed already as the service {name}"
        )]),
        (Action::Install, Slot::Free(name)) => {
            let executable = std::env::current_exe()
                .map_err(|error| format!("cannot find this executable: {error}"))?;
            let info = ServiceInfo {
                name: OsString::from(&name),
                display_name: OsString::from(&name),
                service_type: ServiceType::OWN_PROCESS,
                start_type: ServiceStartType::AutoStart,
                error_control: ServiceErrorControl::Normal,
                executable_path: executable,
                launch_arguments: vec![
                    OsString::from("--config"),
                    config_path.clone().into_os_string(),
                    OsString::from("run"),
                    OsString::from("--service"),
                ],
                dependencies: Vec::new(),
                account_name: None,
                account_password: None,
            };
            let service = manager
                .create_service(&info, ServiceAccess::CHANGE_CONFIG)
                .map_err(failed("install", &name))?;
            service
                .set_description(format!(
                    "Intake Cloud Link ({}): runs the jobs of one Intake integration from {}",
                    config.name,
                    config.folder.display()
                ))
                .map_err(failed("describe", &name))?;
            Ok(vec![
                format!("installed the service {name}; it starts at boot"),
                "start it now with `cloud-link service start`".to_owned(),
            ])
        }
        (Action::Status, Slot::Free(_)) => Ok(vec!["the service is not installed".to_owned()]),
        (_, Slot::Free(_)) => {
            Err("the service is not installed: run `cloud-link service install` first".to_owned())
        }
        (Action::Status, Slot::Ours(name)) => {
            let service = manager
                .open_service(&name, ServiceAccess::QUERY_STATUS)
                .map_err(failed("open", &name))?;
            let status = service.query_status().map_err(failed("query", &name))?;
            Ok(vec![format!(
                "the service {name} is installed and {}",
                state_word(status.current_state)
            )])
        }
        (Action::Start, Slot::Ours(name)) => {
            let service = manager
                .open_service(&name, ServiceAccess::START)
                .map_err(failed("open", &name))?;
            service
                .start(&[] as &[&OsStr])
                .map_err(failed("start", &name))?;
            Ok(vec![format!("started the service {name}")])
        }
        (Action::Stop, Slot::Ours(name)) => {
            let service = manager
                .open_service(&name, ServiceAccess::STOP)
                .map_err(failed("open", &name))?;
            service.stop().map_err(failed("stop", &name))?;
            Ok(vec![format!("stopped the service {name}")])
        }
        (Action::Uninstall, Slot::Ours(name)) => {
            let service = manager
                .open_service(
                    &name,
                    ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE,
                )
                .map_err(failed("open", &name))?;
            let running = service
                .query_status()
                .is_ok_and(|status| status.current_state != ServiceState::Stopped);
            if running {
                service.stop().map_err(failed("stop", &name))?;
            }
            service.delete().map_err(failed("remove", &name))?;
            Ok(vec![format!(
                "removed the service {name}; its folder and log stay"
            )])
        }
    }
}

fn state_word(state: ServiceState) -> &'static str {
    match state {
        ServiceState::Running => "running",
        ServiceState::Stopped => "stopped",
        ServiceState::StartPending => "starting",
        ServiceState::StopPending => "stopping",
        ServiceState::Paused | ServiceState::PausePending => "paused",
        ServiceState::ContinuePending => "resuming",
    }
}

/// The work the service runs, handed over by `main` before dispatching.
static WORK: Mutex<Option<Box<dyn FnOnce() + Send>>> = Mutex::new(None);

define_windows_service!(ffi_service_main, service_main);

/// Runs `work` as the service the service control manager started; returns
/// when the service stops. Fails when this process was not started by the
/// service control manager.
pub fn dispatch(work: impl FnOnce() + Send + 'static) -> Result<(), String> {
    *WORK.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Box::new(work));
    service_dispatcher::start(WINDOWS_SERVICE, ffi_service_main).map_err(|error| {
        format!("not started as a service ({error}): use `cloud-link run` in a console")
    })
}

fn service_main(_arguments: Vec<OsString>) {
    let (stop, stopped) = mpsc::channel::<()>();
    let on_stop = stop.clone();
    let handler = move |control| match control {
        ServiceControl::Stop | ServiceControl::Shutdown => {
            let _ = on_stop.send(());
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    };
    // An own-process service's name is not looked at here.
    let Ok(status) = service_control_handler::register(WINDOWS_SERVICE, handler) else {
        return;
    };
    let report = |state: ServiceState, accepted: ServiceControlAccept| {
        let _ = status.set_service_status(ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: accepted,
            exit_code: ServiceExitCode::Win32(0),
            checkpoint: 0,
            wait_hint: Duration::from_secs(10),
            process_id: None,
        });
    };
    report(
        ServiceState::Running,
        ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN,
    );
    let work = WORK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    if let Some(work) = work {
        // The work loop runs until the process ends; everything it does
        // survives being stopped at any moment (nothing acknowledged is lost).
        std::thread::spawn(move || {
            work();
            let _ = stop.send(());
        });
    }
    let _ = stopped.recv();
    report(ServiceState::Stopped, ServiceControlAccept::empty());
}
