fn main() {
    check_euca_clc::main()
}
