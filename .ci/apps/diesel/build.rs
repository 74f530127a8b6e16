fn main() {
    // New files in `migrations/` rebuild the crate (the macro only sees the files it read).
    strata::build::watch("migrations");
}
