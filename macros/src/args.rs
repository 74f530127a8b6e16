//! The macro's arguments: a path literal, then optional `name = value` options.

use proc_macro2::Span;
use strata_core::{Dialect, LoadOptions};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitBool, LitStr, Token, bracketed};

/// The names of the options `embed_migrations!` takes after the path.
const OPTIONS: [&str; 4] = ["dialect", "dry_run", "verify_down", "ignore"];

/// What `embed_migrations!("migrations", …)` was given.
pub struct Arguments {
    /// The migrations folder, relative to the crate's `Cargo.toml`.
    pub path: LitStr,
    /// `dialect = "postgres"`: how scripts are split (SQLite by default).
    pub dialect: Dialect,
    /// `dry_run = false`: skip the compile-time dry run.
    pub dry_run: bool,
    /// `verify_down = false`: skip the down-script check of the dry run.
    pub verify_down: bool,
    /// `ignore = ["data_*.sql"]`: SQL files that are not migrations.
    pub ignore: Vec<String>,
}

impl Arguments {
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions { dialect: self.dialect, ignore: self.ignore.clone(), ..LoadOptions::default() }
    }
}

impl Parse for Arguments {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "`embed_migrations!` needs the migrations folder\nhelp: write `embed_migrations!(\"migrations\")`, with the path relative to the crate's `Cargo.toml`",
            ));
        }
        let path: LitStr = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the migrations folder as a string literal\nhelp: write `embed_migrations!(\"migrations\")`, with the path relative to the crate's `Cargo.toml`",
            )
        })?;
        let mut args =
            Arguments { path, dialect: Dialect::Sqlite, dry_run: true, verify_down: true, ignore: Vec::new() };
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let name: Ident = input.parse()?;
            let key = name.to_string();
            if seen.contains(&key) {
                return Err(syn::Error::new(name.span(), format!("`{key}` is given twice\nhelp: remove one of them")));
            }
            input.parse::<Token![=]>()?;
            match key.as_str() {
                "dialect" => {
                    let value: LitStr = input.parse()?;
                    args.dialect = value.value().parse().map_err(|error| {
                        syn::Error::new(value.span(), format!("{error}\nhelp: the default is `sqlite`"))
                    })?;
                }
                "dry_run" => args.dry_run = input.parse::<LitBool>()?.value,
                "verify_down" => args.verify_down = input.parse::<LitBool>()?.value,
                "ignore" => {
                    let content;
                    bracketed!(content in input);
                    let patterns = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                    args.ignore = patterns.iter().map(LitStr::value).collect();
                }
                _ => {
                    let expected = OPTIONS.map(|o| format!("`{o}`")).join(", ");
                    return Err(syn::Error::new(
                        name.span(),
                        format!(
                            "unknown argument `{key}`\nhelp: `embed_migrations!` takes the folder, then any of {expected}"
                        ),
                    ));
                }
            }
            seen.push(key);
        }
        Ok(args)
    }
}
