#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Listens for SIGINT and SIGTERM while a long command runs.
///
/// The first signal calls `onFirstSignal`, which requests a stop at a clean
/// point. The command then logs one `interrupted` line and exits with
/// 128 + the signal number. A second signal ends the process at once.
final class Interruption: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: Int32?

    /// Starts listening; `stopListening()` restores the default handling.
    init(onFirstSignal: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            // A dispatch source receives the signal only after its default
            // action, which ends the process, is set to ignore.
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                if self.record(number) {
                    onFirstSignal()
                } else {
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, or nil.
    var signal: Int32? {
        lock.withLock { received }
    }

    /// Records a signal and returns whether it is the first.
    private func record(_ number: Int32) -> Bool {
        lock.withLock {
            guard received == nil else { return false }
            received = number
            return true
        }
    }

    func stopListening() {
        for source in sources { source.cancel() }
        sources = []
        for number in [SIGINT, SIGTERM] { Glibc.signal(number, SIG_DFL) }
    }
}

/// A command stopped by a signal; the exit code is 128 + the signal number.
struct Interrupted: Error, CustomStringConvertible {
    let signal: Int32
    /// The outcome and the next step, printed after the signal's name.
    var outcome = "finished tiles are kept and partial files removed, so run the same command again to resume"

    var description: String {
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        return "interrupted by \(name); \(outcome)"
    }
}

/// A stop requested from a signal handler and checked at clean points.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    func request() {
        lock.withLock { requested = true }
    }

    var isRequested: Bool {
        lock.withLock { requested }
    }
}

/// A command that finished, but left some inputs out; exit code 3.
struct ScenesFailed: Error, CustomStringConvertible {
    let description: String
}
