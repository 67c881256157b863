import Tiling

/// Scores of one class, from the true positives (TP), false positives (FP)
/// and false negatives (FN) of a `ClassConfusion`:
///
/// ```
/// IoU       = TP / (TP + FP + FN)
/// precision = TP / (TP + FP)
/// recall    = TP / (TP + FN)
/// F1        = 2 TP / (2 TP + FP + FN)
/// ```
///
/// A score is nil when its denominator is 0, for example the precision of a
/// class that was never predicted.
public struct ClassMetrics: Equatable, Sendable {
    /// Intersection over union.
    public var iou: Double?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    /// The pixels labelled with the class: TP + FN.
    public var labelledPixels: Int64
    /// The pixels predicted as the class: TP + FP.
    public var predictedPixels: Int64

    /// Computes the scores of `surfaceClass` in `confusion`.
    public init(_ surfaceClass: SurfaceClass, in confusion: ClassConfusion) {
        let truePositives = confusion.count(predicted: surfaceClass, labelled: surfaceClass)
        var labelled: Int64 = 0
        var predicted: Int64 = 0
        for other in confusion.classes {
            predicted += confusion.count(predicted: surfaceClass, labelled: other)
            labelled += confusion.count(predicted: other, labelled: surfaceClass)
        }
        labelled += confusion.count(predicted: nil, labelled: surfaceClass)
        let falsePositives = predicted - truePositives
        let falseNegatives = labelled - truePositives

        iou = ratio(truePositives, truePositives + falsePositives + falseNegatives)
        precision = ratio(truePositives, predicted)
        recall = ratio(truePositives, labelled)
        f1 = ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives)
        labelledPixels = labelled
        predictedPixels = predicted
    }
}

/// The scores of one scene or of all scenes pooled.
///
/// ```
/// pixel accuracy = (pixels predicted as their labelled class) / (pixels counted)
/// mean IoU       = mean of the IoU of each scored class whose IoU is defined
/// ```
///
/// Invalid pixels are never counted; pixels of an unmapped cluster are counted
/// and are always wrong.
public struct SegmentationMetrics: Equatable, Sendable {
    /// The pixels counted.
    public var pixelCount: Int64
    /// nil when no pixel was counted.
    public var pixelAccuracy: Double?
    /// nil when no class has a defined IoU.
    public var meanIoU: Double?
    /// The scores of each scored class, in the order of `ClassConfusion.classes`.
    public var perClass: [(surfaceClass: SurfaceClass, metrics: ClassMetrics)]

    /// Computes the scores of `confusion`.
    public init(_ confusion: ClassConfusion) {
        pixelCount = confusion.pixelCount
        let correct = confusion.classes.reduce(Int64(0)) { $0 + confusion.count(predicted: $1, labelled: $1) }
        pixelAccuracy = ratio(correct, pixelCount)
        perClass = confusion.classes.map { ($0, ClassMetrics($0, in: confusion)) }
        let definedIoUs = perClass.compactMap(\.metrics.iou)
        meanIoU = definedIoUs.isEmpty ? nil : definedIoUs.reduce(0, +) / Double(definedIoUs.count)
    }

    /// Returns the scores of `surfaceClass`, or nil when it is not scored.
    public subscript(surfaceClass: SurfaceClass) -> ClassMetrics? {
        perClass.first { $0.surfaceClass == surfaceClass }?.metrics
    }

    /// The scores of water, or nil when water is not scored.
    public var water: ClassMetrics? {
        self[.water]
    }

    public static func == (left: SegmentationMetrics, right: SegmentationMetrics) -> Bool {
        left.pixelCount == right.pixelCount
            && left.pixelAccuracy == right.pixelAccuracy
            && left.meanIoU == right.meanIoU
            && left.perClass.map(\.surfaceClass) == right.perClass.map(\.surfaceClass)
            && left.perClass.map(\.metrics) == right.perClass.map(\.metrics)
    }
}

/// Returns `numerator / denominator`, or nil when the denominator is 0.
private func ratio(_ numerator: Int64, _ denominator: Int64) -> Double? {
    denominator == 0 ? nil : Double(numerator) / Double(denominator)
}
