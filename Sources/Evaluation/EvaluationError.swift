/// A failure of a baseline or an evaluation caused by its input files.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// A scene lacks the bands a method needs.
    case missingBands(scene: String, bands: [String], needed: String)
    /// A prediction and its label cover different pixel grids.
    case sizeMismatch(prediction: String, predictionSize: String, label: String, labelSize: String)
    /// A predictions folder holds no prediction files.
    case noPredictions(folder: String)
    /// No label matches a prediction's scene.
    case noLabel(scene: String, labels: String)
    /// A cluster statistics file cannot be read.
    case invalidStatistics(path: String, reason: String)
    /// A prediction holds a value that is neither a cluster id nor the invalid marker.
    case invalidPrediction(path: String, value: Int, clusterCount: Int)

    public var description: String {
        switch self {
        case .missingBands(let scene, let bands, let needed):
            "scene '\(scene)' has bands \(bands.joined(separator: ",")) but this needs \(needed); declare the band names with --bands"
        case .sizeMismatch(let prediction, let predictionSize, let label, let labelSize):
            "prediction '\(prediction)' is \(predictionSize) but label '\(label)' is \(labelSize); pair each prediction with the label of its scene"
        case .noPredictions(let folder):
            "folder '\(folder)' holds no predictions (<scene>_clusters.tif or <scene>_water.tif); run 'shoreline segment' or 'shoreline baseline' into it first"
        case .noLabel(let scene, let labels):
            "no label in '\(labels)' matches scene '\(scene)'; name labels like their scenes (<id>_S2Hand with <id>_LabelHand, S2_after_<n> with S2_mask_<n>, or the same name)"
        case .invalidStatistics(let path, let reason):
            "cluster statistics '\(path)' are unreadable (\(reason)); segment the scene again to rewrite them"
        case .invalidPrediction(let path, let value, let clusterCount):
            "prediction '\(path)' holds value '\(value)', not a cluster id below \(clusterCount) nor 255 (invalid); pass files written by shoreline segment or baseline"
        }
    }
}
