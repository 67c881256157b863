/// A trained clustering network ready for inference: it maps reflectance to
/// per-pixel cluster probabilities, one map per head.
///
/// Whole-scene inference slides windows over a scene and calls
/// `clusterProbabilities` on each; windows should overlap by at least
/// `receptiveField` pixels so that no output pixel depends on the window edge.
public protocol SegmentationModel: AnyObject {
    /// Input band names, in the order `clusterProbabilities` expects them.
    var bands: [String] { get }
    /// The name of each head, such as `["main", "overclustering"]`.
    var headNames: [String] { get }
    /// The number of clusters of each head, in the order of `headNames`.
    var clusterCounts: [Int] { get }
    /// The side of the square of input pixels that one output pixel depends on.
    var receptiveField: Int { get }

    /// Cluster probabilities of every head for one window.
    /// - Parameters:
    ///   - reflectance: `bands.count x height x width`, row-major; the model
    ///     normalises it with the statistics stored with it.
    ///   - valid: `height x width` flags; invalid pixels are fed as the band
    ///     means and their outputs are meaningless.
    /// - Returns: one `K x height x width` row-major array per head, each
    ///   pixel's K values summing to 1.
    func clusterProbabilities(reflectance: [Float], valid: [Bool], height: Int, width: Int) -> [[Float]]

    /// Cluster probabilities of one head for one window: the same values as
    /// `clusterProbabilities(reflectance:valid:height:width:)[head]`, which
    /// the default implementation returns, without copying out the others.
    func clusterProbabilities(reflectance: [Float], valid: [Bool], height: Int, width: Int, head: Int) -> [Float]
}

extension SegmentationModel {
    public func clusterProbabilities(reflectance: [Float], valid: [Bool], height: Int, width: Int, head: Int) -> [Float] {
        clusterProbabilities(reflectance: reflectance, valid: valid, height: height, width: width)[head]
    }
}
