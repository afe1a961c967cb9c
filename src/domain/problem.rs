//! A problem with one part of a request, as the capabilities report it and the HTTP layer
//! lists it in an error's `details`.

/// A problem with one part of the input: a JSON field path such as `systems[0].system`, or a
/// file line such as `line 3`, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
