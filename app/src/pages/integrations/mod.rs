pub mod csv;
pub mod edit;
pub mod form;
pub mod imports;
pub mod list;
pub mod new;
