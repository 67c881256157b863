#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A lock on an output folder: flock(2) on a lock file inside it, so a
/// second run into the same folder stops at once instead of mixing its files
/// with the first run's. Exclusive by default; shared holders (the shards of
/// one sharded tiling job) exclude only exclusive ones. The kernel drops the lock when the
/// holder exits or is killed, so a crash never leaves a stale lock.
///
/// NOTE: flock works on local file systems and on NFS (Linux emulates it
/// with byte-range locks); Lustre needs the `flock` mount option, or the
/// lock is not exclusive across nodes.
public final class OutputLock {
    /// The lock file.
    public let path: String
    private var descriptor: Int32

    /// Takes the lock on `folder/name`, creating the file if needed. An
    /// exclusive holder records its process id in the file for the message
    /// of the next run. A shared holder clears it, because it is one of many.
    /// - Parameters:
    ///   - folder: an existing folder.
    ///   - name: the lock file's name, such as `.tile.lock`.
    ///   - shared: take a shared lock (`LOCK_SH`) rather than an exclusive one.
    /// - Throws: `TilingError.outputLocked` when another process holds the
    ///   lock, `TilingError.unwritableOutput` when the file cannot be made.
    public init(folder: String, name: String, shared: Bool = false) throws {
        path = (folder as NSString).appendingPathComponent(name)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TilingError.unwritableOutput(folder, reason: "cannot create lock file '\(name)': \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
            let reason = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            close(descriptor)
            if reason == ENOSYS || reason == EOPNOTSUPP || reason == ENOLCK {
                throw TilingError.lockUnsupported(folder: folder, reason: String(cString: strerror(reason)))
            }
            guard reason == EWOULDBLOCK else {
                throw TilingError.unwritableOutput(folder, reason: "cannot lock '\(name)': \(String(cString: strerror(reason)))")
            }
            let holder = count > 0 ? Int(String(decoding: buffer[0..<count], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            throw TilingError.outputLocked(folder: folder, lockFile: path, holder: holder)
        }
        _ = ftruncate(descriptor, 0)
        if !shared {
            let record = "\(getpid())\n"
            _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        }
    }

    /// Releases the lock now rather than at deinitialisation.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
