import CGDAL

/// A coordinate reference system, kept as WKT with its EPSG code when GDAL
/// can identify one.
public struct SpatialReference: Sendable, CustomStringConvertible {
    /// The WKT2 text GDAL reports (`OSRExportToWkt`).
    public let wkt: String
    /// The EPSG code, such as 32632, or nil when the CRS has none.
    public let epsg: Int?

    /// Creates a reference from WKT, identifying its EPSG code
    /// (`OSRGetAuthorityCode`, after `OSRAutoIdentifyEPSG`).
    public init?(wkt: String) {
        guard !wkt.isEmpty, let handle = OSRNewSpatialReference(wkt) else { return nil }
        defer { OSRDestroySpatialReference(handle) }
        self.init(handle: handle)
    }

    /// Creates the reference of an EPSG code (`OSRImportFromEPSG`), or nil
    /// when GDAL's database does not know the code.
    public init?(epsg code: Int) {
        GDALLibrary.registerDrivers()
        guard let handle = OSRNewSpatialReference(nil) else { return nil }
        defer { OSRDestroySpatialReference(handle) }
        guard OSRImportFromEPSG(handle, Int32(code)) == OGRERR_NONE else { return nil }
        self.init(handle: handle)
    }

    init(handle: OGRSpatialReferenceH) {
        var text: UnsafeMutablePointer<CChar>?
        OSRExportToWkt(handle, &text)
        wkt = text.map { String(cString: $0) } ?? ""
        VSIFree(text)

        var code: Int?
        if let authority = OSRGetAuthorityName(handle, nil), String(cString: authority) == "EPSG",
           let value = OSRGetAuthorityCode(handle, nil) {
            code = Int(String(cString: value))
        }
        if code == nil, OSRAutoIdentifyEPSG(handle) == OGRERR_NONE, let value = OSRGetAuthorityCode(handle, nil) {
            code = Int(String(cString: value))
        }
        epsg = code
    }

    /// `EPSG:n` when the code is known, else the first 60 characters of the WKT.
    public var description: String {
        if let epsg { return "EPSG:\(epsg)" }
        return String(wkt.prefix(60))
    }

    /// Returns whether two references describe the same CRS (`OSRIsSame`),
    /// whatever their WKT spelling.
    public func isSame(as other: SpatialReference) -> Bool {
        if let a = epsg, let b = other.epsg { return a == b }
        guard let first = OSRNewSpatialReference(wkt) else { return false }
        defer { OSRDestroySpatialReference(first) }
        guard let second = OSRNewSpatialReference(other.wkt) else { return false }
        defer { OSRDestroySpatialReference(second) }
        return OSRIsSame(first, second) != 0
    }
}
