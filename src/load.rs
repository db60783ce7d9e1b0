//! Finding post files and parsing them into [`crate::post::Post`]s, with the position of every field.
