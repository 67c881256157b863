import GeoRaster

/// An error that stops a tiling job: bad input, a mismatched label or an
/// output folder that cannot be written. `description` is one line that
/// names the value and the fix.
public enum TilingError: Error, CustomStringConvertible, Equatable {
    case inputNotFound(String)
    case invalidLabelCodes(String, entry: String)
    case unknownLabelCode(label: String, code: Int, codes: String, definedCodes: String)
    case labelBandCount(label: String, bandCount: Int, codes: String, expected: Int)
    case labelSizeMismatch(label: String, labelSize: String, scene: String, sceneSize: String)
    case labelGeoTransformMismatch(label: String, scene: String, offset: String)
    case labelCRSMismatch(label: String, labelCRS: String, scene: String, sceneCRS: String)
    case labelFileWithManyScenes(label: String, sceneCount: Int)
    case invalidPair(String)
    case duplicateSceneName(String, first: String, second: String)
    case unwritableOutput(String, reason: String)
    case invalidShard(String)
    case missingShards(folder: String, missing: [Int], count: Int)
    case noShardManifests(String)
    case invalidManifest(String, reason: String)
    case optionsChanged(folder: String, previous: String, current: String)
    case noTiles(reason: String)
    case missingLabelCodes(label: String)
    case noScenes
    case duplicateInput(String)
    case outputIsFile(String)
    case outputUnderFile(String, file: String)
    case labelsNotFound(String)
    case unknownLabelCodes(String)
    case mixedShardCounts(folder: String, files: [String], counts: [Int])
    case labelPairingChanged(folder: String, scene: String, previous: String, current: String)
    /// The job stopped because `TilingJob.cancel()` was called.
    case cancelled
    case outputLocked(folder: String, lockFile: String, holder: Int?)
    case lockUnsupported(folder: String, reason: String)
    case tooManyTiles(scene: String, width: Int, height: Int, tileSize: Int, tileCount: Int, limit: Int)

    public var description: String {
        switch self {
        case .inputNotFound(let path):
            "input '\(path)' not found; check the path"
        case .invalidLabelCodes(let text, let entry):
            "label codes '\(text)' are invalid at '\(entry)'; use a preset (\(LabelCodes.presetNames.joined(separator: ", "))) or CODE:CLASS pairs such as -1:invalid,0:land,1:water"
        case .unknownLabelCode(let label, let code, let codes, let defined):
            "label '\(label)' holds code '\(code)', which --label-codes '\(codes)' does not define (\(defined)); pass a preset or map that covers every code"
        case .labelBandCount(let label, let count, let codes, let expected):
            "label '\(label)' has \(count) bands but --label-codes '\(codes)' reads \(expected); choose the preset that matches the label"
        case .labelSizeMismatch(let label, let labelSize, let scene, let sceneSize):
            "label '\(label)' is \(labelSize) but scene '\(scene)' is \(sceneSize); pair each scene with the label made on its pixel grid"
        case .labelGeoTransformMismatch(let label, let scene, let offset):
            "label '\(label)' is shifted from scene '\(scene)' by \(offset); pair each scene with the label made on its pixel grid"
        case .labelCRSMismatch(let label, let labelCRS, let scene, let sceneCRS):
            "label '\(label)' has CRS '\(labelCRS)' but scene '\(scene)' has '\(sceneCRS)'; reproject the label onto the scene's grid (gdalwarp)"
        case .labelFileWithManyScenes(let label, let count):
            "--labels names the single file '\(label)' but \(count) scenes are given; pass a labels folder, or --pair SCENE=LABEL for each scene"
        case .invalidPair(let text):
            "pair '\(text)' is invalid; write it as SCENE=LABEL"
        case .duplicateSceneName(let name, let first, let second):
            "scenes '\(first)' and '\(second)' share the name '\(name)', so their tiles would collide; tile them into separate output folders"
        case .unwritableOutput(let folder, let reason):
            "output folder '\(folder)' is not writable (\(reason)); choose another --output or fix its permissions"
        case .invalidShard(let text):
            "shard '\(text)' is invalid; write it as I/N with 0 <= I < N, such as 0/4"
        case .missingShards(let folder, let missing, let count):
            if missing.count == 1 {
                "folder '\(folder)' is missing the manifest of shard \(missing[0]) of \(count) (\(Shard(index: missing[0], count: count).manifestName)); run that shard first, then merge again"
            } else if missing.count <= 3 {
                "folder '\(folder)' is missing the manifests of shards \(missing.map(String.init).joined(separator: ", ")) of \(count) (\(missing.map { Shard(index: $0, count: count).manifestName }.joined(separator: ", "))); run those shards first, then merge again"
            } else {
                "folder '\(folder)' is missing the manifests of shards \(missing.map(String.init).joined(separator: ", ")) of \(count); run those shards first, then merge again"
            }
        case .noShardManifests(let folder):
            "folder '\(folder)' holds no shard manifests (manifest.shard-I-of-N.csv); run 'shoreline tile --shard I/N' into it first"
        case .invalidManifest(let path, let reason):
            "manifest '\(path)' is invalid (\(reason)); delete it and run its shard again"
        case .optionsChanged(let folder, let previous, let current):
            "output folder '\(folder)' holds tiles made with \(previous), not \(current); choose another --output or repeat the earlier options"
        case .noTiles(let reason):
            "no tiles written: \(reason)"
        case .noScenes:
            "no scenes found in the inputs; pass raster files (.tif, .tiff, .png, .vrt, .jp2) or folders that contain them"
        case .duplicateInput(let path):
            "input '\(path)' is given twice; give each scene once"
        case .outputIsFile(let path):
            "output '\(path)' is a file, not a folder; choose a folder path for --output"
        case .outputUnderFile(let path, let file):
            "output folder '\(path)' cannot be created because '\(file)' is a file; choose a folder path for --output"
        case .labelsNotFound(let path):
            "label path '\(path)' not found; check the --labels path"
        case .unknownLabelCodes(let text):
            "unknown label codes '\(text)'; use one of \(LabelCodes.presetNames.joined(separator: ", ")), or a map such as -1:invalid,0:land,1:water"
        case .mixedShardCounts(let folder, let files, let counts):
            "folder '\(folder)' holds shard manifests of \(counts.map(String.init).joined(separator: " and ")) shards (\(files.joined(separator: ", "))); delete those of the shard count you no longer use, then merge again"
        case .labelPairingChanged(let folder, let scene, let previous, let current):
            "output folder '\(folder)' holds tiles of scene '\(scene)' made \(previous), not \(current); choose another --output, or pair the scene as the earlier run did"
        case .cancelled:
            "tiling was interrupted; the finished tiles are kept, so run the same command again to resume"
        case .outputLocked(let folder, let lockFile, let holder):
            "output folder '\(folder)' is in use by another run (lock '\(lockFile)' held"
                + (holder.map { " by process \($0)" } ?? "")
                + "); wait for that run to finish, or choose another --output"
        case .lockUnsupported(let folder, let reason):
            "output folder '\(folder)' cannot be locked (\(reason)); its file system does not support flock, so mount it with flock support (Lustre: the 'flock' option) or write to another file system"
        case .tooManyTiles(let scene, let width, let height, let tileSize, let tileCount, let limit):
            "scene '\(scene)' declares \(width) x \(height) pixels, \(tileCount) tiles of \(tileSize) px, above the limit of \(limit) per scene; check that the file is not corrupt (gdalinfo), or raise --size"
        case .missingLabelCodes(let label):
            "label '\(label)' needs --label-codes to convert its codes; pass one of \(LabelCodes.presetNames.joined(separator: ", ")) or a map such as -1:invalid,0:land,1:water"
        }
    }
}
