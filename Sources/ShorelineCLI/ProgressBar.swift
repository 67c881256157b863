import Foundation

/// A progress display on standard error: a bar redrawn in place with the
/// rate and estimated time left when standard error is a terminal, else a
/// plain line at each tenth of the work.
final class ProgressBar: @unchecked Sendable {
    let unit: String
    private let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastTenth = -1
    private var drewInPlace = false
    private let lock = NSLock()
    private let write: (String, Bool) -> Void

    /// - Parameters:
    ///   - unit: the plural noun counted, such as `tiles`.
    ///   - isTerminal: whether to redraw in place, as on a terminal.
    ///   - write: writes text, with a newline when the flag is true.
    init(unit: String, isTerminal: Bool, write: @escaping (String, Bool) -> Void) {
        self.unit = unit
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Shows that `completed` of `total` are done.
    func update(completed: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if isTerminal {
            guard completed == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            // "\u{1B}[K" clears the rest of the line, in case the last one was longer.
            write("\r" + line(completed: completed, total: total, now: now, withBar: true) + "\u{1B}[K", false)
            drewInPlace = true
        } else {
            let tenth = total == 0 ? 10 : completed * 10 / total
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            write(line(completed: completed, total: total, now: now, withBar: false), true)
        }
    }

    /// Ends the in-place bar with a newline, so later lines start clean.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drewInPlace { write("", true) }
        drewInPlace = false
    }

    func line(completed: Int, total: Int, now: Date, withBar: Bool) -> String {
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        let remaining = rate > 0 ? Double(total - completed) / rate : nil
        var text = "\(unit) \(completed)/\(total)"
        if withBar {
            let width = 24
            let filled = total == 0 ? width : completed * width / total
            text = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] " + text
        }
        text += String(format: "  %.1f %@/s", rate, unit)
        text += "  ETA " + (remaining.map(ProgressBar.clock) ?? "--:--")
        return text
    }

    /// Formats seconds as `m:ss`, or `h:mm:ss` from one hour on.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
