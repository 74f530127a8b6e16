//! strata-core's problems as compile errors, all of them, under the path literal.

use strata_core::{Problem, Problems};
use syn::LitStr;

/// One error per problem, combined so that rustc shows them all.
pub fn problems(path: &LitStr, problems: &Problems) -> syn::Error {
    let mut errors = problems.iter().map(|problem| syn::Error::new(path.span(), message(problem)));
    let mut combined = match errors.next() {
        Some(first) => first,
        None => syn::Error::new(path.span(), "the migrations folder could not be read"),
    };
    for error in errors {
        combined.combine(error);
    }
    combined
}

fn message(problem: &Problem) -> String {
    match &problem.help {
        Some(help) => format!("{problem}\nhelp: {help}"),
        None => problem.to_string(),
    }
}
