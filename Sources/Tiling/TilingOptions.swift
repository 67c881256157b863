import GeoRaster

/// The settings of a tiling job.
public struct TilingOptions: Sendable, Equatable {
    /// The tile side in pixels.
    public var tileSize: Int = 512
    /// The pixels shared by neighbouring tiles.
    public var overlap: Int = 0
    /// Tiles with a larger fraction of invalid pixels are skipped, in [0, 1].
    public var maxInvalidFraction: Double = 0.5
    /// The scenes' band names in file order, or nil to take them from the files.
    public var bandNames: [String]?
    /// The label codes; required when any scene has a label.
    public var labelCodes: LabelCodes?
    /// The number of threads that read and write tiles.
    public var workers: Int = 1
    public var compression: Compression = .deflate
    /// The part of the scenes this run tiles, or nil for all.
    public var shard: Shard?
    /// The radiometric offset the user declared (`--offset`), or nil to
    /// take it from each scene's metadata. Tiles carry the offset in force
    /// as `BOA_ADD_OFFSET` (its negation), so `Dataset.radiometricOffset`
    /// and `readReflectance` read it back from a tile.
    public var radiometricOffset: Float?
    /// The job's response to a scene that cannot be read or paired.
    public var onError: SceneErrorPolicy = .stop

    public init() {}

    /// The options that decide what a tile holds, as a line stored in the
    /// output folder: a resumed run must repeat them, or its tiles would mix
    /// two settings.
    var contentSignature: String {
        var parts = ["--size \(tileSize)", "--overlap \(overlap)", "--max-invalid \(maxInvalidFraction)"]
        if let bandNames { parts.append("--bands \(bandNames.joined(separator: ","))") }
        if let labelCodes { parts.append("--label-codes \(labelCodes.name)") }
        if let radiometricOffset { parts.append("--offset \(TilingOptions.number(radiometricOffset))") }
        return parts.joined(separator: " ")
    }

    /// Formats a whole number without a decimal point, such as `1000`.
    static func number(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}

/// The response of a tiling job to a scene that fails to open, to pair
/// with its label or to read.
public enum SceneErrorPolicy: String, Sendable, CaseIterable {
    /// Stop the job at the first failed scene.
    case stop
    /// Leave the scene out, tile the others and list it in the summary and
    /// `failed-scenes.csv`. Failures to write the output still stop the job.
    case skip
}

/// A scene a job left out under `SceneErrorPolicy.skip`, and why.
public struct SceneFailure: Sendable, Equatable {
    /// The scene as shown to users: its file, or the folder of its band files.
    public let scene: String
    /// The error's one-line description.
    public let reason: String

    public init(scene: String, reason: String) {
        self.scene = scene
        self.reason = reason
    }
}

/// How far a tiling job has got.
public struct TilingProgress: Sendable {
    /// Tiles read so far, written or skipped.
    public let completedTiles: Int
    /// Tiles to read in this run, not counting scenes finished by an earlier run.
    public let totalTiles: Int
}

/// The counts and outputs of a tiling job.
public struct TilingSummary: Sendable {
    public var sceneCount = 0
    /// Scenes finished by an earlier run into the same folder.
    public var scenesResumed = 0
    public var tilesWritten = 0
    /// Tiles whose files an earlier, interrupted run had written.
    public var tilesAlreadyPresent = 0
    /// Tiles from scenes finished by an earlier run.
    public var tilesFromResumedScenes = 0
    /// Tiles skipped because their invalid fraction exceeded the maximum.
    public var tilesSkippedInvalid = 0
    /// Scenes in which no pixel is valid.
    public var allInvalidScenes: [String] = []
    /// Scenes left out because they failed, under `SceneErrorPolicy.skip`.
    public var failedScenes: [SceneFailure] = []
    /// The list of failed scenes written (`failed-scenes.csv`, or the
    /// shard's), or nil when no scene failed.
    public var failedScenesPath: String?
    /// The manifest written: `manifest.csv`, or the shard's part.
    public var manifestPath = ""

    /// The tiles listed in the manifest.
    public var tilesInManifest: Int { tilesWritten + tilesAlreadyPresent + tilesFromResumedScenes }
}
