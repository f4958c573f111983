//! [`Derived`]: a value computed from others (the objects a function body reads, a view
//! column's inferred type) that travels with an object but never counts in its equality.

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
#[serde(transparent)]
pub struct Derived<T>(pub T);

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Derived<T> {}

impl<T> std::ops::Deref for Derived<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
