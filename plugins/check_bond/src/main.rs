fn main() {
    common::run(&check_bond::PLUGIN, check_bond::check)
}
