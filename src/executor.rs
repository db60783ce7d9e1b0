//! Executes a plan against [`crate::api::XApi`], saving the state after every change.
