import Foundation
import GeoRaster
import TensorEngine
import TestSupport
@testable import Clustering

/// Small scenes and training settings for trainer tests.
enum TrainingFixtures {
    /// Writes a 3-band (B3, B8, B11) 64 x 64 UInt16 scene: a wet left part
    /// (bright B3, dark B8 and B11), a dry right part, noise, and a 4-pixel
    /// all-zero (invalid) border at the top.
    @discardableResult
    static func scene(_ url: URL, seed: UInt64 = 1) throws -> URL {
        let side = 64
        var generator = SeededGenerator(seed: seed)
        var samples: [UInt16] = []
        let wet: [Float] = [900, 300, 200], dry: [Float] = [700, 2500, 1800]
        for band in 0..<3 {
            for row in 0..<side {
                for column in 0..<side {
                    guard row >= 4 else { samples.append(0); continue }
                    let base = column + row / 2 < 40 ? wet[band] : dry[band]
                    samples.append(UInt16(max(1, base + 60 * generator.normal())))
                }
            }
        }
        let transform = GeoTransform(originX: 500_000, pixelWidth: 10, originY: 4_000_000, pixelHeight: -10)
        try RasterWriter.write(samples: samples, width: side, height: side, bandNames: ["B3", "B8", "B11"],
                               georeference: Georeference(geoTransform: transform, spatialReference: SpatialReference(epsg: 32631)),
                               nodata: nil, to: url.path)
        return url
    }

    /// A tiny, fast IIC configuration.
    static var tinyIIC: IICConfiguration {
        var configuration = IICConfiguration()
        configuration.width = 4
        configuration.overclusters = 6
        configuration.displacementRadius = 2
        configuration.subHeads = 2
        return configuration
    }

    /// Training options for a few quick steps on 1 thread.
    static func options(inputs: [URL], output: URL, steps: Int) -> TrainingOptions {
        var options = TrainingOptions(inputs: inputs.map(\.path), output: output.path)
        options.steps = steps
        options.batch = 2
        options.crop = 24
        options.threads = 1
        options.checkpointInterval = 2
        options.seed = 7
        options.statisticsBatches = 3
        return options
    }

    /// Reads the log's records without their step times.
    static func losses(_ run: URL) throws -> [[Float]] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try String(contentsOf: RunFolder.log(run), encoding: .utf8).split(separator: "\n").map { line in
            let record = try decoder.decode(StepRecord.self, from: Data(line.utf8))
            return [Float(record.step), record.loss] + record.heads.flatMap { [$0.loss, $0.usageEntropy, $0.largestClusterShare] }
        }
    }

    /// Reads the tensors of a checkpoint by name.
    static func tensors(_ url: URL) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try SafetensorsFile(contentsOf: url).arrays.map { ($0.name, $0.values) })
    }
}

/// IIC with a fault: its loss turns NaN from one step on, or its head
/// probabilities put every pixel in cluster 0.
final class FaultyMethod: ClusteringMethod {
    let base = IICMethod(configuration: TrainingFixtures.tinyIIC)
    let nonFiniteFromCall: Int?
    let collapsed: Bool
    private var calls = 0

    init(nonFiniteFromCall: Int? = nil, collapsed: Bool = false) {
        self.nonFiniteFromCall = nonFiniteFromCall
        self.collapsed = collapsed
    }

    var name: String { base.name }
    var headNames: [String] { base.headNames }
    var augmentation: ViewAugmentation { base.augmentation }
    func makeNetwork(bands: Int, generator: inout SeededGenerator) -> any ClusteringNetwork {
        base.makeNetwork(bands: bands, generator: &generator)
    }
    func record(in configuration: inout RunConfiguration) { base.record(in: &configuration) }

    func objective(network: any ClusteringNetwork, first: Tensor, second: Tensor,
                   transform: GeometricTransform, valid: Tensor) -> [HeadObjective] {
        calls += 1
        var terms = base.objective(network: network, first: first, second: second, transform: transform, valid: valid)
        if let from = nonFiniteFromCall, calls >= from {
            terms[1].loss = terms[1].loss * Float.nan
        }
        if collapsed {
            for index in terms.indices {
                let shape = terms[index].probabilities.shape
                let plane = shape[2] * shape[3]
                terms[index].probabilities = Tensor(shape: shape, values: (0..<terms[index].probabilities.count).map {
                    ($0 / plane) % shape[1] == 0 ? 1 : 0
                })
            }
        }
        return terms
    }
}
