//! The WFM side imported data is for: employees, activities, and which
//! external agent id of an integration is which employee (DESIGN §1, §2).
//!
//! Agent statuses are kept under the external ids they arrived with. A
//! mapping only joins them to an employee, so statuses received before an
//! agent was mapped show up as soon as the mapping is saved, and hide again
//! when it is removed; nothing is sent again, nothing is deleted.

pub mod activity;
pub mod employee;
pub mod intraday;
pub mod mapping;
pub mod roster;
pub mod store;
pub mod workload;

pub use employee::{Employee, EmployeeId, NewEmployee};
pub use mapping::{AgentMapping, ExternalId};
pub use store::WorkforceStore;
