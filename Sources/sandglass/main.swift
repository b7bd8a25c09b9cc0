// Entry point. Maps errors to exit codes: usage errors (bad flags or values) exit 2 with one
// line; failures while running exit 1; --help and --version exit 0.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

setvbuf(stdout, nil, _IOFBF, 1 << 16)
do {
    var command = try Sandglass.parseAsRoot()
    try command.run()
    fflush(stdout)
    exit(0)
} catch {
    fflush(stdout)
    let code = Sandglass.exitCode(for: error)
    if code == .success {
        print(Sandglass.fullMessage(for: error))
        exit(0)
    }
    if let failure = error as? CommandFailure {
        fputs("sandglass: error: \(failure.message)\n", stderr)
        exit(failure.exitCode)
    }
    let message = Sandglass.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    let usage = code == .validationFailure
    // One hint per line: a message that already points at a command (e.g. 'sandglass models') keeps only that one.
    let hint: String = usage && !message.contains("(see 'sandglass ") ? " (see 'sandglass help')" : ""
    fputs("sandglass: error: \(message)\(hint)\n", stderr)
    exit(usage ? 2 : 1)
}
