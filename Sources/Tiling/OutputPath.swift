import Foundation

/// Checks on the path of an output folder.
public enum OutputPath {
    /// Returns the first part of `path` that exists as something other than
    /// a folder, or nil.
    public static func fileInPath(_ path: String) -> String? {
        var isFolder: ObjCBool = false
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard FileManager.default.fileExists(atPath: prefix, isDirectory: &isFolder) else { return nil }
            if !isFolder.boolValue { return path.hasPrefix("/") ? prefix : String(prefix.dropFirst(2)) }
        }
        return nil
    }

    /// Returns why creating the folder `path` failed with `error`: a file in
    /// the way, else the system's reason. Foundation's own text ("The
    /// operation could not be completed") names no cause.
    public static func creationFailureReason(_ path: String, error: Error) -> String {
        if let file = fileInPath(path) { return "'\(file)' is a file, not a folder" }
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch CocoaError.Code(rawValue: error.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
        case .fileWriteNoPermission, .fileReadNoPermission: return String(cString: strerror(EACCES))
        case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
        case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
        default: return error.localizedDescription
        }
    }
}
