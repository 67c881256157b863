#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The output streams of a command: results to one stream, logs and
/// progress to another. Tests pass a console that collects both.
public struct Console: Sendable {
    /// Writes one line of results.
    let writeResult: @Sendable (String) -> Void
    /// Writes log and progress text, with a trailing newline when the flag is true.
    let writeDiagnostic: @Sendable (String, Bool) -> Void
    /// Whether progress redraws in place (standard error is a terminal).
    let isTerminal: Bool
    /// The logger that writes to the diagnostic stream.
    let logger: Logger

    public init(writeResult: @escaping @Sendable (String) -> Void,
                writeDiagnostic: @escaping @Sendable (String, Bool) -> Void, isTerminal: Bool,
                logLevel: Logger.Level = .info) {
        self.writeResult = writeResult
        self.writeDiagnostic = writeDiagnostic
        self.isTerminal = isTerminal
        logger = Logger(minimumLevel: logLevel, write: { writeDiagnostic($0, true) })
    }

    /// Standard output for results, standard error for the rest. The log
    /// level is named by `SHORELINE_LOG_LEVEL` (debug, info, warning or
    /// error), and is info when the variable is unset or unknown. An
    /// unknown name gets one warning when the console is made.
    public static var standard: Console {
        let levelName = ProcessInfo.processInfo.environment["SHORELINE_LOG_LEVEL"] ?? ""
        let (level, warning) = Logger.Level.fromEnvironment(levelName)
        let console = Console(writeResult: { Swift.print($0) },
                writeDiagnostic: { text, newline in
                    FileHandle.standardError.write(Data((text + (newline ? "\n" : "")).utf8))
                },
                isTerminal: isatty(STDERR_FILENO) != 0, logLevel: level)
        if let warning { console.logger.warning(warning) }
        return console
    }

    func print(_ line: String) {
        writeResult(line)
    }

    /// Returns a progress bar, which draws nothing when the log level is
    /// above info (progress is info-level output).
    func progressBar(unit: String) -> ProgressBar {
        guard logger.minimumLevel <= .info else {
            return ProgressBar(unit: unit, isTerminal: isTerminal, write: { _, _ in })
        }
        return ProgressBar(unit: unit, isTerminal: isTerminal, write: writeDiagnostic)
    }
}
