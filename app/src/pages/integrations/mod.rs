pub mod edit;
pub mod form;
pub mod list;
pub mod new;
