import GeoRaster
import Tiling

/// Scores one prediction raster against its label raster, strip by strip,
/// so memory holds one strip of each whatever the scene's size.
public enum SceneEvaluator {
    /// Accumulates the confusion matrix of a prediction against a label.
    ///
    /// - Parameters:
    ///   - prediction: a one-band UInt8 raster of cluster ids or water-mask
    ///     values, 255 (or its nodata) where invalid.
    ///   - label: the label raster on the same pixel grid.
    ///   - codes: how the label's codes become classes.
    ///   - clusterCount: the number of clusters (2 for a water mask).
    ///   - classes: the classes counted; labels of other classes are skipped.
    /// - Throws: `EvaluationError.sizeMismatch` for rasters of different
    ///   sizes, `EvaluationError.invalidPrediction` for a value that is not a
    ///   cluster id, `TilingError` for unknown label codes, `GeoRasterError`
    ///   for failed reads.
    public static func confusion(prediction: Dataset, label: Dataset, codes: LabelCodes, clusterCount: Int,
                                 classes: [SurfaceClass]) throws -> ConfusionMatrix {
        guard prediction.width == label.width, prediction.height == label.height else {
            throw EvaluationError.sizeMismatch(prediction: prediction.path, predictionSize: "\(prediction.width) x \(prediction.height)",
                                               label: label.path, labelSize: "\(label.width) x \(label.height)")
        }
        var matrix = ConfusionMatrix(clusterCount: clusterCount, classes: classes)
        for window in SceneStrips.windows(of: prediction) {
            let predicted = try prediction.read(window: window, as: UInt8.self, fill: ClusterIDs.invalid,
                                                rule: ValidityRule(zeroInAllBandsIsInvalid: false))
            var values = predicted.samples
            for pixel in values.indices {
                if !predicted.validity[pixel] {
                    values[pixel] = ClusterIDs.invalid
                } else if values[pixel] != ClusterIDs.invalid && Int(values[pixel]) >= clusterCount {
                    throw EvaluationError.invalidPrediction(path: prediction.path, value: Int(values[pixel]), clusterCount: clusterCount)
                }
            }
            let labels = try codes.readClasses(of: label, window: window)
            matrix.add(predictions: values, labels: labels)
        }
        return matrix
    }
}
