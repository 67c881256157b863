import Foundation
import GeoRaster

/// Scenes left out under `SceneErrorPolicy.skip`, and their list.
extension TilingJob {
    /// Returns whether an error belongs to one scene, so that
    /// `SceneErrorPolicy.skip` may leave the scene out: an unreadable
    /// scene or label, or a label that does not fit its scene. Failures to
    /// write, and band names declared with the wrong count, stop the job.
    func isSceneFailure(_ error: Error) -> Bool {
        guard options.onError == .skip else { return false }
        if let error = error as? GeoRasterError {
            switch error.code {
            case .writeFailed: return false
            case .unnamedBands: return options.bandNames == nil
            default: return true
            }
        }
        switch error as? TilingError {
        case .unknownLabelCode, .labelBandCount, .labelSizeMismatch, .labelGeoTransformMismatch,
             .labelCRSMismatch, .missingLabelCodes:
            return true
        default:
            return false
        }
    }

    /// Writes `failed-scenes.csv` (`scene,error`), or the shard's
    /// `failed-scenes.shard-I-of-N.csv`, when scenes failed, and removes an
    /// earlier run's list otherwise.
    /// - Returns: the path written, or nil.
    func writeFailedScenes(_ failures: [SceneFailure]) throws -> String? {
        let name = options.shard.map { "failed-scenes.shard-\($0.index)-of-\($0.count).csv" } ?? "failed-scenes.csv"
        let path = (outputFolder as NSString).appendingPathComponent(name)
        guard !failures.isEmpty else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        var text = "scene,error\n"
        for failure in failures {
            text += Manifest.escape(failure.scene) + "," + Manifest.escape(failure.reason) + "\n"
        }
        let temporary = (outputFolder as NSString).appendingPathComponent(".\(name).partial-\(UUID().uuidString.prefix(8))")
        do {
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw TilingError.unwritableOutput(outputFolder, reason: "cannot write \(name)")
        }
        return path
    }
}
