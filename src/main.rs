fn main() -> std::process::ExitCode {
    dondoc::cli::run()
}
