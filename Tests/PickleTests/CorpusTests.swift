import Foundation
import Pickle
import Testing

/// The two real ALchemist REST-store pickles (pandas 2.3.3, numpy 2.4.6) must give the same store
/// times, variables and experiment rows as scripts/pickle-crosscheck.py (Python + numpy, with
/// stand-in classes instead of the real ones).
@Suite struct CorpusTests {
    static let ids = (try? Fixtures.names(in: "corpus", suffix: ".pkl")) ?? []

    @Test func bothCorpusPicklesArePresent() {
        #expect(Self.ids.count == 2)
    }

    @Test(arguments: ids)
    func matchesCrossCheck(id: String) throws {
        let expected = try #require(try Fixtures.json("corpus/\(id).expected.json") as? [String: Any])
        let value = try PickleDecoder().decode(Fixtures.bytes("corpus/\(id).pkl"))
        let (data, notData) = PickleInterpreter().interpret(value)

        // Store entry times.
        for key in ["created_at", "last_accessed", "expires_at"] {
            #expect(data[key]?.dateTimeValue?.isoformat == expected[key] as? String, "\(key)")
        }

        // The session and its allowlisted parts are data objects.
        let session = try #require(data["session"]?.dataObjectValue)
        #expect(session.className == "alchemist_core.session.OptimizationSession")
        #expect(session.fields.compactMap(\.key.stringValue) == expected["session_fields"] as? [String])
        let searchSpace = try #require(session["search_space"]?.dataObjectValue)
        #expect(searchSpace.className == "alchemist_core.data.search_space.SearchSpace")
        for key in ["variables", "categorical_variables"] {
            let want = try #require(Tagged(json: expected[key] as Any))
            #expect(tagged(try #require(searchSpace[key])).matches(want), "\(key)")
        }
        let config = try #require(Tagged(json: expected["config"] as Any))
        #expect(tagged(try #require(session["config"])).matches(config))

        // The DataFrame: columns in order with dtype, the row index and every value (NaN included).
        let manager = try #require(session["experiment_manager"]?.dataObjectValue)
        let frame = try #require(manager["df"]?.dataFrameValue)
        let expectedFrame = try #require(expected["dataframe"] as? [String: Any])
        let columns = try #require(expectedFrame["columns"] as? [[String: Any]])
        #expect(frame.columns.count == columns.count)
        for (column, want) in zip(frame.columns, columns) {
            #expect(tagged(column.name).matches(try #require(Tagged(json: want["name"] as Any))))
            #expect(column.dtype == want["dtype"] as? String)
        }
        #expect(
            Tagged.array(frame.index.map(tagged)).matches(try #require(Tagged(json: expectedFrame["index"] as Any))))
        let rows = Tagged.array(frame.rows.map { .array($0.map(tagged)) })
        #expect(rows.matches(try #require(Tagged(json: expectedFrame["rows"] as Any))))

        // What is not data is reported, never interpreted: the event emitter always, and for the
        // session with variables the skopt dimensions (with scipy distributions inside).
        #expect(
            notData.contains {
                $0.className == "alchemist_core.events.EventEmitter" && $0.path == "$[\"session\"].events"
            })
        let referenced = Set(expected["classes_referenced"] as? [String] ?? [])
        for note in notData {
            #expect(!PickleInterpreter.dataClasses.contains(note.className))
            #expect(referenced.contains(note.className), "\(note)")
        }
    }

    @Test func sessionWithVariablesReportsSkoptDimensions() throws {
        let value = try PickleDecoder().decode(Fixtures.bytes("corpus/ca3f38de-dc56-4151-ab15-cb5fdb00ebb2.pkl"))
        let (data, notData) = PickleInterpreter().interpret(value)
        let paths = notData.map(\.description)
        #expect(
            paths.contains { $0.hasPrefix("$[\"session\"].search_space.skopt_dimensions[0]: skopt.space.space.Real") })
        #expect(
            paths.contains {
                $0.hasPrefix("$[\"session\"].search_space.skopt_dimensions[1]: skopt.space.space.Categorical")
            })
        let frame = try #require(data["session"]?["experiment_manager"]?["df"]?.dataFrameValue)
        #expect(frame.columns.map { $0.name.stringValue ?? "" } == ["temperature", "solvent", "Output", "Noise"])
        #expect(frame.rowCount == 6)
        #expect(frame["solvent"]?.values.first == .string("水"))
        #expect(frame["Noise"]?.values[1].doubleValue?.isNaN == true)
        let record = frame.records[0]
        #expect(record.map(\.key) == frame.columns.map(\.name))
        #expect(
            data["created_at"]?.dateTimeValue
                == PickleDateTime(
                    year: 2026, month: 11, day: 21, hour: 13, minute: 44, second: 47, microsecond: 981_410))
    }

    @Test func emptySessionHasAnEmptyFrame() throws {
        let value = try PickleDecoder().decode(Fixtures.bytes("corpus/5cfc97df-8fd4-4f92-acf9-9d55569239c1.pkl"))
        let (data, notData) = PickleInterpreter().interpret(value)
        let frame = try #require(data["session"]?["experiment_manager"]?["df"]?.dataFrameValue)
        #expect(frame.columns.isEmpty && frame.rowCount == 0)
        #expect(notData.map(\.className) == ["alchemist_core.events.EventEmitter"])
    }
}
