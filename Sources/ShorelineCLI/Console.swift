#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where a command writes: results to one stream, logs and progress to
/// another. Tests pass a console that collects both.
public struct Console: Sendable {
    /// Writes one line of results.
    let writeResult: @Sendable (String) -> Void
    /// Writes log and progress text; the flag asks for a trailing newline.
    let writeDiagnostic: @Sendable (String, Bool) -> Void
    /// Whether progress redraws in place (standard error is a terminal).
    let isTerminal: Bool
    /// The logger that writes to the diagnostic stream.
    let logger: Logger

    public init(writeResult: @escaping @Sendable (String) -> Void,
                writeDiagnostic: @escaping @Sendable (String, Bool) -> Void, isTerminal: Bool) {
        self.writeResult = writeResult
        self.writeDiagnostic = writeDiagnostic
        self.isTerminal = isTerminal
        logger = Logger(write: { writeDiagnostic($0, true) })
    }

    /// Standard output for results, standard error for the rest.
    public static var standard: Console {
        Console(writeResult: { Swift.print($0) },
                writeDiagnostic: { text, newline in
                    FileHandle.standardError.write(Data((text + (newline ? "\n" : "")).utf8))
                },
                isTerminal: isatty(STDERR_FILENO) != 0)
    }

    func print(_ line: String) {
        writeResult(line)
    }

    func progressBar(unit: String) -> ProgressBar {
        ProgressBar(unit: unit, isTerminal: isTerminal, write: writeDiagnostic)
    }
}
