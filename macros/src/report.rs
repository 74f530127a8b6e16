//! strata-core's problems as compile errors, all of them, under the path literal.

use strata_core::Problem;
use syn::LitStr;

/// One error per problem, combined so that rustc shows them all.
pub fn problems(path: &LitStr, problems: &[Problem]) -> syn::Error {
    let folder = path.value();
    let mut errors = problems.iter().map(|problem| syn::Error::new(path.span(), message(problem, &folder)));
    let mut combined = match errors.next() {
        Some(first) => first,
        None => syn::Error::new(path.span(), "the migrations folder could not be read"),
    };
    for error in errors {
        combined.combine(error);
    }
    combined
}

/// The problem with its file named from the crate's `Cargo.toml`, as the path literal is.
fn message(problem: &Problem, folder: &str) -> String {
    let located = problem.located(folder);
    match &problem.help {
        Some(help) => format!("{located}\nhelp: {help}"),
        None => located,
    }
}
