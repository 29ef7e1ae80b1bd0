pub mod csv;
pub mod database;
pub mod edit;
pub mod form;
pub mod imports;
pub mod list;
pub mod mapping;
pub mod new;
