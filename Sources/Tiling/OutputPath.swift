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
}
