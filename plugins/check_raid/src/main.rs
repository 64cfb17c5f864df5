fn main() {
    common::run(&check_raid::PLUGIN, check_raid::check)
}
