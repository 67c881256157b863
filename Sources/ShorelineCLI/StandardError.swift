#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes lines to standard error, where logs and progress go; results go to
/// standard output.
enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
