fn main() {
    strata::build::watch("migrations-postgres");
    strata::build::watch("migrations-mysql");
}
