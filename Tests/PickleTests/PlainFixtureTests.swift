import Foundation
import Pickle
import Testing

/// Plain data pickled by Python itself (protocols 0, 2, 4, 5) must decode to what `pickle.loads`
/// gives, as recorded by scripts/pickle-fixtures.py.
@Suite struct PlainFixtureTests {
    static let names = (try? Fixtures.names(in: "plain", suffix: ".expected.json")) ?? []

    @Test func fixturesArePresent() {
        #expect(Self.names.count >= 15)
    }

    @Test(arguments: names, [0, 2, 4, 5])
    func matchesPython(name: String, proto: Int) throws {
        let expected = try #require(Tagged(json: try Fixtures.json("plain/\(name).expected.json")))
        let bytes = try Fixtures.bytes("plain/\(name).p\(proto).pkl")
        let value = try PickleDecoder().decode(bytes)
        let result = PickleInterpreter().interpret(value)
        #expect(result.notData.isEmpty, "\(result.notData)")
        let actual = tagged(result.value)
        #expect(actual.matches(expected), "\(name).p\(proto):\n got \(actual)\nwant \(expected)")
    }

    @Test(arguments: names)
    func protocolsAgreeAfterInterpretation(name: String) throws {
        let interpreted = try [0, 2, 4, 5].map { proto in
            tagged(
                PickleInterpreter().interpret(try PickleDecoder().decode(Fixtures.bytes("plain/\(name).p\(proto).pkl")))
                    .value)
        }
        for other in interpreted.dropFirst() { #expect(other.matches(interpreted[0])) }
    }
}
