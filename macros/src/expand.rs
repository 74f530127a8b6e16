//! The expansion: one expression, usable in `static`, `const` and `let`, made of `const fn`
//! calls through absolute paths, with every file it read referenced (unless a build script
//! watches the folder) so that editing one rebuilds the crate.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use strata_core::{Dialect, MigrationDef, MigrationSet, ScriptFile};

/// The expression, referencing every file read when `reference_files`; `extra` (a warning)
/// goes among its items.
pub fn migrations(set: &MigrationSet, dialect: Dialect, reference_files: bool, extra: TokenStream) -> TokenStream {
    let tracked = set.files_read.iter().filter(|_| reference_files).map(|path| {
        let path = path.to_string_lossy();
        quote! { const _: &[u8] = ::core::include_bytes!(#path); }
    });
    // Every slice is the whole initializer of a `const` item, so it is `'static` wherever the
    // macro is used, `let` included.
    let mut items = Vec::new();
    let migrations: Vec<TokenStream> = set
        .migrations
        .iter()
        .enumerate()
        .map(|(index, migration)| migration_expr(index, migration, &mut items))
        .collect();
    let digest = &set.digest;
    let dialect = format_ident!("{dialect:?}");
    quote! {
        {
            #(#tracked)*
            #extra
            #(#items)*
            const __STRATA_MIGRATIONS: &[::strata::Migration] = &[#(#migrations),*];
            ::strata::Migrations::__embedded(__STRATA_MIGRATIONS, #digest, ::strata::Dialect::#dialect)
        }
    }
}

fn migration_expr(index: usize, migration: &MigrationDef, items: &mut Vec<TokenStream>) -> TokenStream {
    let version = migration.version.number;
    let id = &migration.id;
    let name = &migration.name;
    let checksum = &migration.checksum;
    let up = script_expr(&migration.up, format_ident!("__STRATA_UP_{}", index), items);
    let down = match &migration.down {
        Some(script) => {
            let script = script_expr(script, format_ident!("__STRATA_DOWN_{}", index), items);
            quote! { ::core::option::Option::Some(#script) }
        }
        None => quote! { ::core::option::Option::None },
    };
    let depends_on = &migration.depends_on;
    // An id longer than 255 bytes cannot be a file name; 0 only leaves the version unwritten.
    let version_len = u8::try_from(migration.written_version().len()).unwrap_or(0);
    let kind = format_ident!("{}", migration.kind.__variant());
    let flags = migration.flags.__bits();
    let embedded = quote! {
        ::strata::Migration::__embedded(
            #version, #version_len, #id, #name, #checksum, #up, #down, &[#(#depends_on),*],
            ::strata::Kind::#kind, ::strata::Flags::__from_bits(#flags)
        )
    };
    with_foreign_checksums(embedded, migration)
}

/// With the feature `adopt`, the migration carries the checksums sqlx, refinery and Flyway
/// store, to take their history over; without it, nothing is spent on them.
#[cfg(feature = "adopt")]
fn with_foreign_checksums(embedded: TokenStream, migration: &MigrationDef) -> TokenStream {
    let strata_core::ForeignChecksums { sqlx, refinery, refinery_int8, flyway } = migration.foreign;
    quote! {
        #embedded.__with_foreign(::strata::ForeignChecksums::__embedded([#(#sqlx),*], #refinery, #refinery_int8, #flyway))
    }
}

#[cfg(not(feature = "adopt"))]
fn with_foreign_checksums(embedded: TokenStream, _: &MigrationDef) -> TokenStream {
    embedded
}

fn script_expr(script: &ScriptFile, item: proc_macro2::Ident, items: &mut Vec<TokenStream>) -> TokenStream {
    let statements = script.statements.iter().map(|statement| {
        let sql = statement.sql();
        let (line, column) = (statement.line(), statement.column());
        quote! { ::strata::Statement::__embedded(#sql, #line, #column) }
    });
    items.push(quote! { const #item: &[::strata::Statement] = &[#(#statements),*]; });
    let file = &script.file;
    quote! { ::strata::Script::__embedded(#file, #item) }
}
