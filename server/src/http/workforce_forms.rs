//! The employees and mapping pages' plain posts, the same with and without
//! JavaScript: each does one thing through `domain::workforce` and goes
//! back to its page with `?notice=` or `?error=` (and a refused employee's
//! draft), which the page translates.

use axum::{
    extract::{DefaultBodyLimit, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use domain::{
    ingest::read::QueueId,
    integration::IntegrationId,
    workforce::{
        activity::{self, ActivityChanges, ActivityError, ActivityField, ActivityId, NewActivity},
        employee::{
            self, EmployeeChanges, EmployeeError, EmployeeField, EmployeeId, EmployeeInput,
            NewEmployee,
        },
        mapping::{self, ExternalId, MappingError},
        roster::{self, RosterError},
        workload::{self, WorkloadError, WorkloadId, WorkloadName},
    },
};
use serde::{Deserialize, Serialize};

use super::{
    csv_forms::{file_field, FormActor, FormUpload},
    AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/employees", post(create_employee))
        .route("/account/employees/{id}", post(change_employee))
        .route("/account/employees/{id}/archive", post(archive_employee))
        .route("/account/employees/{id}/systems", post(external_system))
        .route(
            "/account/employees/import",
            // The file, and room for the form's boundaries and headers.
            post(import_employees).layer(DefaultBodyLimit::max(roster::MAX_BYTES + 16 * 1024)),
        )
        .route("/account/activities", post(create_activity))
        .route("/account/activities/{id}", post(change_activity))
        .route("/account/activities/{id}/archive", post(archive_activity))
        .route("/account/workloads", post(create_workload))
        .route("/account/workloads/{id}/rename", post(rename_workload))
        .route("/account/workloads/{id}/archive", post(archive_workload))
        .route("/account/workloads/{id}/queues", post(add_workload_queue))
        .route(
            "/account/workloads/{id}/queues/{queue}/remove",
            post(remove_workload_queue),
        )
        .route("/account/integrations/{id}/mapping/agents", post(agents))
        .route(
            "/account/integrations/{id}/mapping/activities",
            post(activities),
        )
}

fn back(page: &str, pairs: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    Redirect::to(&format!("{page}?{query}")).into_response()
}

#[derive(Deserialize, Serialize)]
struct EmployeeDraft {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    personnel_number: String,
    #[serde(default)]
    team: String,
}

impl EmployeeDraft {
    fn input(&self) -> EmployeeInput<'_> {
        EmployeeInput {
            name: Some(&self.name),
            email: Some(&self.email),
            personnel_number: Some(&self.personnel_number),
            team: Some(&self.team),
        }
    }

    /// Back to `page` with the refusal and the draft, so nothing typed is
    /// lost.
    fn refused(&self, page: &str, code: &str) -> Response {
        back(
            page,
            &[
                ("error", code),
                ("name", &self.name),
                ("email", &self.email),
                ("personnel_number", &self.personnel_number),
                ("team", &self.team),
            ],
        )
    }
}

fn employee_error(error: &EmployeeError) -> &'static str {
    match error {
        EmployeeError::Forbidden => "forbidden",
        EmployeeError::NotFound => "not_found",
        EmployeeError::EmailTaken => "email_taken",
        EmployeeError::Store(_) => "internal",
    }
}

async fn create_employee(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Form(draft): Form<EmployeeDraft>,
) -> Response {
    const PAGE: &str = "/account/employees";
    let new = match NewEmployee::parse(draft.input()) {
        Ok(new) => new,
        Err(fields) => return draft.refused(PAGE, field_error(&fields)),
    };
    match employee::create(state.store.as_ref(), &actor, &new).await {
        Ok(_) => back(PAGE, &[("notice", "created")]),
        Err(error) => draft.refused(PAGE, employee_error(&error)),
    }
}

/// The edit form on an employee's page: every field is sent, and an empty
/// optional one is removed.
async fn change_employee(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(draft): Form<EmployeeDraft>,
) -> Response {
    let page = format!("/account/employees/{id}");
    let changes = match EmployeeChanges::parse(draft.input()) {
        Ok(changes) => changes,
        Err(fields) => return draft.refused(&page, field_error(&fields)),
    };
    match employee::update(state.store.as_ref(), &actor, EmployeeId(id), &changes).await {
        Ok(_) => back(&page, &[("notice", "saved")]),
        Err(error) => draft.refused(&page, employee_error(&error)),
    }
}

/// The code of the first field a form got wrong.
fn field_error(fields: &[EmployeeField]) -> &'static str {
    match fields.first() {
        Some(EmployeeField::Name(_)) => "invalid_name",
        Some(EmployeeField::Email(_)) => "invalid_email",
        Some(EmployeeField::Team(_)) => "invalid_team",
        _ => "invalid_personnel_number",
    }
}

/// How many of a file's problems the page lists; the file is fixed and
/// sent again, so the first ones are what a person needs.
const PROBLEMS_SHOWN: usize = 10;

async fn import_employees(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    form: FormUpload,
) -> Response {
    const PAGE: &str = "/account/employees";
    let content = match form {
        Ok(form) => file_field(form, roster::MAX_BYTES)
            .await
            .map(|(_, content)| content),
        Err(_) => Err("no_file"),
    };
    let content = match content {
        Ok(content) => content,
        Err(code) => return back(PAGE, &[("error", code)]),
    };
    match roster::import(state.store.as_ref(), &actor, &content).await {
        Ok(count) => back(
            PAGE,
            &[("notice", "imported"), ("count", &count.to_string())],
        ),
        Err(RosterError::Problems(problems)) => {
            let lines: Vec<String> = problems
                .iter()
                .take(PROBLEMS_SHOWN)
                .map(|problem| match problem.line {
                    0 => problem.detail.clone(),
                    line => format!("{line}: {}", problem.detail),
                })
                .collect();
            let mut pairs = vec![("error", "invalid_file")];
            let total = problems.len().to_string();
            pairs.push(("problems", &total));
            pairs.extend(lines.iter().map(|line| ("problem", line.as_str())));
            back(PAGE, &pairs)
        }
        Err(RosterError::Forbidden) => back(PAGE, &[("error", "forbidden")]),
        Err(RosterError::Store(error)) => {
            tracing::error!(?error, "importing employees failed");
            back(PAGE, &[("error", "internal")])
        }
    }
}

async fn archive_employee(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
) -> Response {
    match employee::archive(state.store.as_ref(), &actor, EmployeeId(id)).await {
        Ok(()) => back("/account/employees", &[("notice", "archived")]),
        Err(error) => back("/account/employees", &[("error", employee_error(&error))]),
    }
}

#[derive(Deserialize)]
struct MappingForm {
    /// `map`, `unmap` or `auto`.
    #[serde(default)]
    intent: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    employee_id: Option<String>,
    /// The searchable picker's choice (`… · #id`).
    #[serde(default)]
    employee: Option<String>,
    #[serde(default)]
    activity_id: Option<String>,
}

fn mapping_error(error: &MappingError) -> &'static str {
    match error {
        MappingError::Forbidden => "forbidden",
        MappingError::NotFound => "not_found",
        MappingError::NoSuchEmployee => "unknown_employee",
        MappingError::Deleted => "integration_deleted",
        MappingError::AgentTaken { .. } => "agent_already_mapped",
        MappingError::EmployeeTaken(_) => "employee_already_mapped",
        MappingError::Store(_) => "internal",
    }
}

fn chosen(raw: Option<&str>) -> Option<i64> {
    raw.and_then(|raw| raw.trim().parse().ok())
}

async fn agents(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<MappingForm>,
) -> Response {
    let page = format!("/account/integrations/{id}/mapping");
    let store = state.store.as_ref();
    let integration = IntegrationId(id);
    if form.intent == "auto" {
        return match mapping::auto_match(store, &actor, integration).await {
            Ok(done) => back(
                &page,
                &[
                    ("notice", "auto_matched"),
                    ("count", &done.mapped.len().to_string()),
                    ("ambiguous", &done.ambiguous.len().to_string()),
                ],
            ),
            Err(error) => back(&page, &[("error", mapping_error(&error))]),
        };
    }
    let Ok(external_id) = ExternalId::parse(&form.external_id) else {
        return back(&page, &[("error", "invalid_external_id")]);
    };
    if form.intent == "unmap" {
        return match mapping::remove(store, &actor, integration, &external_id).await {
            Ok(_) => back(&page, &[("notice", "unmapped")]),
            Err(error) => back(&page, &[("error", mapping_error(&error))]),
        };
    }
    let picked = form
        .employee
        .as_deref()
        .and_then(app::pages::integrations::mapping::chosen_employee);
    let Some(employee) = chosen(form.employee_id.as_deref()).or(picked) else {
        return back(&page, &[("error", "choose_employee")]);
    };
    let saved = mapping::set(
        store,
        &actor,
        integration,
        &external_id,
        EmployeeId(employee),
        None,
    )
    .await;
    mapped(&page, saved)
}

/// Back to `page` after a mapping was set: saved, with its near misses, or
/// refused.
fn mapped(page: &str, saved: Result<mapping::SetMapping, MappingError>) -> Response {
    match saved {
        Ok(saved) => {
            let mut pairs = vec![("notice", "mapped")];
            pairs.extend(saved.near_misses.iter().map(|near| ("near", near.as_str())));
            back(page, &pairs)
        }
        Err(error) => back(page, &[("error", mapping_error(&error))]),
    }
}

#[derive(Deserialize)]
struct ExternalSystemForm {
    /// `add` or `remove`.
    #[serde(default)]
    intent: String,
    #[serde(default)]
    integration_id: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    system_employee_id: String,
}

/// An employee's page adds an entry for an external system (a mapping, with
/// the employee's own id there) or removes one: the rules of the
/// integration's mapping page, from the other side.
async fn external_system(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<ExternalSystemForm>,
) -> Response {
    let page = format!("/account/employees/{id}");
    let store = state.store.as_ref();
    // A refused entry comes back as typed.
    let refused = |code: &str| {
        back(
            &page,
            &[
                ("error", code),
                ("integration_id", &form.integration_id),
                ("external_id", &form.external_id),
                ("system_employee_id", &form.system_employee_id),
            ],
        )
    };
    let Some(integration) = chosen(Some(&form.integration_id)).map(IntegrationId) else {
        return refused("choose_integration");
    };
    let Ok(external_id) = ExternalId::parse(&form.external_id) else {
        return refused("invalid_external_id");
    };
    if form.intent == "remove" {
        return match mapping::remove(store, &actor, integration, &external_id).await {
            Ok(_) => back(&page, &[("notice", "unmapped")]),
            Err(error) => back(&page, &[("error", mapping_error(&error))]),
        };
    }
    let system_id = match form.system_employee_id.trim() {
        "" => None,
        _ => match ExternalId::parse(&form.system_employee_id) {
            Ok(system_id) => Some(system_id),
            Err(_) => return refused("invalid_system_employee_id"),
        },
    };
    match mapping::set(
        store,
        &actor,
        integration,
        &external_id,
        EmployeeId(id),
        system_id.as_ref(),
    )
    .await
    {
        Err(error) => refused(mapping_error(&error)),
        saved => mapped(&page, saved),
    }
}

fn activity_error(error: &ActivityError) -> &'static str {
    match error {
        ActivityError::Forbidden => "forbidden",
        ActivityError::NotFound => "not_found",
        ActivityError::NoSuchActivity | ActivityError::Missing => "unknown_activity",
        ActivityError::DefaultKept => "default_activity",
        ActivityError::InUse => "activity_in_use",
        ActivityError::Deleted => "integration_deleted",
        ActivityError::NotPaused => "integration_not_paused",
        ActivityError::Store(_) => "internal",
    }
}

async fn activities(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<MappingForm>,
) -> Response {
    let page = format!("/account/integrations/{id}/mapping");
    let store = state.store.as_ref();
    let integration = IntegrationId(id);
    let Ok(external_id) = ExternalId::parse(&form.external_id) else {
        return back(&page, &[("error", "invalid_external_id")]);
    };
    // Choosing the default activity is removing the mapping.
    let outcome = match chosen(form.activity_id.as_deref()) {
        Some(activity_id) if form.intent != "unmap" => activity::map(
            store,
            &actor,
            integration,
            &external_id,
            ActivityId(activity_id),
        )
        .await
        .map(|()| "activity_mapped"),
        _ => activity::unmap(store, &actor, integration, &external_id)
            .await
            .map(|_| "activity_unmapped"),
    };
    match outcome {
        Ok(notice) => back(&page, &[("notice", notice)]),
        Err(error) => back(&page, &[("error", activity_error(&error))]),
    }
}

fn workload_error(error: &WorkloadError) -> &'static str {
    match error {
        WorkloadError::Forbidden => "forbidden",
        WorkloadError::NotFound | WorkloadError::NoSuchQueue => "not_found",
        WorkloadError::QueueOfDeletedIntegration => "queue_of_deleted_integration",
        WorkloadError::TooManyQueues => "too_many_queues",
        WorkloadError::Store(_) => "internal",
    }
}

#[derive(Deserialize)]
struct WorkloadForm {
    #[serde(default)]
    name: String,
}

const WORKLOADS: &str = "/account/workloads";

async fn create_workload(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Form(form): Form<WorkloadForm>,
) -> Response {
    let Ok(name) = WorkloadName::parse(&form.name) else {
        return back(
            WORKLOADS,
            &[("error", "invalid_name"), ("name", &form.name)],
        );
    };
    match workload::create(state.store.as_ref(), &actor, &name).await {
        Ok(created) => back(
            &format!("{WORKLOADS}/{}", created.id.0),
            &[("notice", "created")],
        ),
        Err(error) => back(
            WORKLOADS,
            &[("error", workload_error(&error)), ("name", &form.name)],
        ),
    }
}

async fn rename_workload(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<WorkloadForm>,
) -> Response {
    let page = format!("{WORKLOADS}/{id}");
    let Ok(name) = WorkloadName::parse(&form.name) else {
        return back(&page, &[("error", "invalid_name")]);
    };
    match workload::rename(state.store.as_ref(), &actor, WorkloadId(id), &name).await {
        Ok(_) => back(&page, &[("notice", "renamed")]),
        Err(error) => back(&page, &[("error", workload_error(&error))]),
    }
}

async fn archive_workload(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
) -> Response {
    match workload::archive(state.store.as_ref(), &actor, WorkloadId(id)).await {
        Ok(()) => back(WORKLOADS, &[("notice", "archived")]),
        Err(error) => back(
            &format!("{WORKLOADS}/{id}"),
            &[("error", workload_error(&error))],
        ),
    }
}

#[derive(Deserialize)]
struct QueueForm {
    #[serde(default)]
    queue_id: String,
}

async fn add_workload_queue(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<QueueForm>,
) -> Response {
    let page = format!("{WORKLOADS}/{id}");
    let Ok(queue) = form.queue_id.trim().parse::<i64>() else {
        return back(&page, &[("error", "choose_queue")]);
    };
    match workload::add_queue(state.store.as_ref(), &actor, WorkloadId(id), QueueId(queue)).await {
        Ok(_) => back(&page, &[("notice", "queue_added")]),
        Err(error) => back(&page, &[("error", workload_error(&error))]),
    }
}

async fn remove_workload_queue(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path((id, queue)): Path<(i64, i64)>,
) -> Response {
    let page = format!("{WORKLOADS}/{id}");
    match workload::remove_queue(state.store.as_ref(), &actor, WorkloadId(id), QueueId(queue)).await
    {
        Ok(_) => back(&page, &[("notice", "queue_removed")]),
        Err(error) => back(&page, &[("error", workload_error(&error))]),
    }
}

#[derive(Deserialize)]
struct ActivityForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    colour: String,
}

const ACTIVITIES: &str = "/account/activities";

/// The code of the first field refused.
fn activity_field_error(fields: &[ActivityField]) -> &'static str {
    match fields.first() {
        Some(ActivityField::Name(_)) => "invalid_name",
        Some(ActivityField::Category(_)) => "invalid_category",
        Some(ActivityField::Colour(_)) | None => "invalid_colour",
    }
}

async fn create_activity(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Form(form): Form<ActivityForm>,
) -> Response {
    let new = match NewActivity::parse(&form.name, &form.category, &form.colour) {
        Ok(new) => new,
        Err(fields) => return back(ACTIVITIES, &[("error", activity_field_error(&fields))]),
    };
    match activity::create(state.store.as_ref(), &actor, &new).await {
        Ok(_) => back(ACTIVITIES, &[("notice", "created")]),
        Err(error) => back(ACTIVITIES, &[("error", activity_error(&error))]),
    }
}

async fn change_activity(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<ActivityForm>,
) -> Response {
    let changes =
        match ActivityChanges::parse(Some(&form.name), Some(&form.category), Some(&form.colour)) {
            Ok(changes) => changes,
            Err(fields) => return back(ACTIVITIES, &[("error", activity_field_error(&fields))]),
        };
    match activity::update(state.store.as_ref(), &actor, ActivityId(id), &changes).await {
        Ok(_) => back(ACTIVITIES, &[("notice", "updated")]),
        Err(error) => back(ACTIVITIES, &[("error", activity_error(&error))]),
    }
}

async fn archive_activity(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
) -> Response {
    match activity::archive(state.store.as_ref(), &actor, ActivityId(id)).await {
        Ok(()) => back(ACTIVITIES, &[("notice", "archived")]),
        Err(error) => back(ACTIVITIES, &[("error", activity_error(&error))]),
    }
}
