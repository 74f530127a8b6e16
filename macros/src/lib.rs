//! The `embed_migrations!` macro of strata. Use it through the `strata` crate.
//!
//! It stays thin: parse the arguments (`args`), resolve the folder (`resolve`), hand the
//! folder to `strata-core`, turn its problems into errors under the path literal (`report`),
//! quote the result (`expand`), and warn when new files would not rebuild the crate (`watch`).

use proc_macro::TokenStream;

mod args;
mod expand;
mod report;
mod resolve;
mod watch;

/// Embeds a migrations folder, checked at compile time, as a `strata::Migrations` value.
///
/// See the `strata` crate for the whole manual.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    match run(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            // Several errors are several `compile_error!`s: a block keeps them one expression.
            let errors = error.to_compile_error();
            quote::quote!({ #errors }).into()
        }
    }
}

fn run(input: proc_macro2::TokenStream) -> syn::Result<proc_macro2::TokenStream> {
    let args: args::Arguments = syn::parse2(input)?;
    let folder = resolve::folder(&args.path)?;
    let loaded = strata_core::load(&folder.path, &args.path.value(), &args.load_options());
    let mut problems = loaded.problems.clone();
    // A dialect without a dry run (SQLite's feature off; no server named, or its feature off) is
    // checked by the lexer and the statement rules alone. The dry run runs whenever there is an
    // order, so that its problems come in the same build as the others.
    let variable = strata_core::dry_run::server_variable(args.dialect);
    let url = variable.and_then(|variable| std::env::var(variable).ok()).filter(|url| !url.is_empty());
    let server = variable.zip(url.as_deref()).map(|(named_by, url)| strata_core::dry_run::ServerUrl { url, named_by });
    if let Some(backend) = strata_core::dry_run::backend(args.dialect, server).filter(|_| args.dry_run) {
        let options = strata_core::dry_run::DryRunOptions { verify_down: args.verify_down };
        let cache = strata_core::dry_run::Cache::of_this_build();
        problems.extend(backend.check(&loaded, &options, Some(&cache)));
    }
    match loaded.set {
        Some(set) if problems.is_empty() => {
            // Referencing every file makes edits rebuild the crate; a build script that watches
            // the folder does that already, and the references cost the compiler more than the
            // rest of the expansion.
            let watched = watch::watched(&folder);
            Ok(expand::migrations(
                &set,
                args.dialect,
                watched != Some(true),
                watch::warning(&args.path, &folder, watched),
            ))
        }
        _ => Err(report::problems(&args.path, &problems)),
    }
}
