/// The intermediate representation of a meshtrace spec.
///
/// This one file-set is the schema shared by the `Spec` library (which a spec file is
/// compiled against and which serializes it) and by `meshtrace-gen` (which reads it back),
/// as SwiftPM shares its manifest serialization schema between PackageDescription and the
/// loader. Bump `currentSchemaVersion` whenever an encoded shape changes.
public struct SpecIR: Codable, Hashable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var name: String
    public var line: Int?
    /// Every header type an extract names, sorted by name.
    public var headers: [HeaderType]
    public var parser: ParserGraph
    public var http: HTTPDetection
    public var search: SearchWindow
    public var record: EventRecord
    public var maps: [MapLayout]
    public var tables: [MatchActionTable]
    public var points: [TracingPoint]
    public var hops: [Hop]
    public var target: TargetProfile
    /// Mistakes the DSL saw while building (two transitions in one state, …), reported by validation.
    public var diagnostics: [SpecDiagnostic]

    public init(
        name: String, line: Int? = nil, headers: [HeaderType] = [], parser: ParserGraph,
        http: HTTPDetection = HTTPDetection(), search: SearchWindow = .standard,
        record: EventRecord = EventRecord(), maps: [MapLayout] = [], tables: [MatchActionTable] = [],
        points: [TracingPoint] = [], hops: [Hop] = [], target: TargetProfile = TargetProfile()
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.name = name
        self.line = line
        self.headers = headers
        self.parser = parser
        self.http = http
        self.search = search
        self.record = record
        self.maps = maps
        self.tables = tables
        self.points = points
        self.hops = hops
        self.target = target
        self.diagnostics = []
    }

    public func header(named name: String) -> HeaderType? {
        headers.first { $0.name == name }
    }
}

/// A mistake found in a spec, at a line of the spec file.
public struct SpecDiagnostic: Codable, Hashable, Sendable, Error {
    public var line: Int?
    public var message: String

    public init(line: Int?, _ message: String) {
        self.line = line
        self.message = message
    }
}
