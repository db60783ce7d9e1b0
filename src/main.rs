fn main() -> std::process::ExitCode {
    tweetform::cli::main()
}
