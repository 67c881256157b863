import Foundation

/// A failure of training or of loading a trained model, with the offending
/// value and how to fix it.
public enum ClusteringError: Error, Equatable, CustomStringConvertible {
    /// A training input path does not exist.
    case inputNotFound(String)
    /// An input contains no scene and no tile manifest.
    case noScenes(String)
    /// A requested band is missing from a scene.
    case unknownBand(String, scene: String, available: [String])
    /// The scene has neither the default bands nor few enough to take all.
    case bandsNotChosen(scene: String, available: [String])
    /// The training data has no valid pixel.
    case noValidPixels
    /// The run folder exists and `resume` was not asked for.
    case outputExists(String)
    /// `resume` was asked for, but the run folder has no configuration.
    case nothingToResume(String)
    /// The run folder was made by another method or with other settings.
    case resumeMismatch(String, reason: String)
    /// The loss of a head became NaN or infinite.
    case nonFiniteLoss(step: Int, head: String, lastCheckpoint: String?)
    /// A run folder is missing or has no usable configuration or checkpoint.
    case invalidRun(String, reason: String)
    /// A run names a method this build does not know.
    case unknownMethod(String, run: String)
    /// A file of the run could not be written.
    case unwritableOutput(String, reason: String)
    /// The run folder, or a folder on its path, is a regular file.
    case outputBlockedByFile(String, file: String)

    public var description: String {
        switch self {
        case .inputNotFound(let path):
            return "training input '\(path)' not found; check the path"
        case .noScenes(let path):
            return "training input '\(path)' holds no raster scene and no manifest.csv; pass scene files, a folder of scenes or a tile folder"
        case .unknownBand(let band, let scene, let available):
            return "band '\(band)' is not in scene '\(scene)'; choose from \(available.joined(separator: ","))"
        case .bandsNotChosen(let scene, let available):
            return "scene '\(scene)' lacks the default bands \(TrainingData.defaultBands.joined(separator: ",")); pass --bands with names from \(available.joined(separator: ","))"
        case .noValidPixels:
            return "the training inputs have no valid pixel; check their nodata values and masks"
        case .outputExists(let path):
            return "run folder '\(path)' already exists; pass --resume to continue it or choose a new --output"
        case .nothingToResume(let path):
            return "run folder '\(path)' has no config.json to resume from; delete the folder and drop --resume to start a new run, or choose another --output"
        case .resumeMismatch(let path, let reason):
            return "run folder '\(path)' cannot be resumed: \(reason)"
        case .nonFiniteLoss(let step, let head, let checkpoint):
            return "the loss of head '\(head)' became non-finite at step \(step); "
                + (checkpoint.map { "the last good checkpoint is '\($0)'; " } ?? "no checkpoint was written; ")
                + "lower the learning rate or check the inputs for extreme values"
        case .invalidRun(let path, let reason):
            return "run '\(path)' cannot be loaded: \(reason)"
        case .unknownMethod(let method, let run):
            return "run '\(run)' was trained with unknown method '\(method)'; use a run made by 'shoreline train --method iic'"
        case .unwritableOutput(let path, let reason):
            return "cannot write '\(path)': \(reason); check the folder's permissions and free space"
        case .outputBlockedByFile(let path, let file):
            return path == file
                ? "run folder '\(path)' is a file, not a folder; choose another --output"
                : "run folder '\(path)' cannot be created because '\(file)' is a file, not a folder; choose another --output"
        }
    }
}
