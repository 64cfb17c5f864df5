fn main() {
    common::run(&check_ups::PLUGIN, check_ups::check)
}
