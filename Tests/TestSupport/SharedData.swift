import Foundation

/// The real Sentinel-2 scenes that tests read, in `../shared/data` beside the
/// repository root (or in the folder named by `SHORELINE_DATA`).
///
/// Tests that need a scene call `SharedData.file(_:)` and skip with the
/// returned reason when the folder is absent, so that a checkout without the
/// data still passes its other tests.
public enum SharedData {
    /// The repository root: three levels above this file
    /// (`Tests/TestSupport/SharedData.swift`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The data folder: `SHORELINE_DATA` when set, else `../shared/data`.
    public static var folder: URL {
        if let path = ProcessInfo.processInfo.environment["SHORELINE_DATA"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return repositoryRoot
            .deletingLastPathComponent()
            .appendingPathComponent("shared/data", isDirectory: true)
    }

    /// Whether the data folder exists.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: folder.path)
    }

    /// The message a test shows when it skips for lack of data.
    public static var missingReason: String {
        "real data not found at '\(folder.path)'; set SHORELINE_DATA or place ../shared/data beside the repository"
    }

    /// Returns the URL of `relativePath` inside the data folder, or nil when
    /// the file is missing.
    public static func file(_ relativePath: String) -> URL? {
        let url = folder.appendingPathComponent(relativePath)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The Sen1Floods11 chip: 512 x 512, 13 bands, Int16, EPSG:4326.
    public static let sen1floods11Scene = "sen1floods11/Spain_7370579_S2Hand.tif"
    /// The Sen1Floods11 chip's hand label: -1 invalid, 0 land, 1 water.
    public static let sen1floods11Label = "sen1floods11/Spain_7370579_LabelHand.tif"
    /// The Betsiboka scene: 512 wide x 856 high, 3 unnamed bands, UInt16.
    public static let betsibokaScene = "betsiboka-rgb/betsiboka_b123.tif"
    /// The Ammersee L2A scene: 12 single-band GeoTIFFs, 580 x 747 px.
    public static let ammerseeFolder = "ammersee-l2a"
    /// The OMBRIA subset: `AFTER/*.png` images and `MASK/*.png` masks.
    public static let ombriaFolder = "ombria-train-subset"
}
