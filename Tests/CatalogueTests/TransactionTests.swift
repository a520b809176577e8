import Foundation
import Testing
@testable import Catalogue

/// Whole transactions are retried on serialization failures and deadlocks only, a bounded number of times,
/// and what a failed attempt wrote is rolled back.
@Suite struct TransactionTests {
    @Test func aSerializationFailureRetriesTheWholeTransaction() throws {
        let cluster = try TestCatalogue()
        let connection = try cluster.ownerConnection()
        try connection.execute("CREATE TEMP TABLE marks (attempt integer)")
        var attempts = 0
        let result = try connection.transaction { connection in
            attempts += 1
            try connection.execute("INSERT INTO marks VALUES ($1)", [String(attempts)])
            if attempts < 3 {
                try connection.execute("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
            }
            return attempts
        }
        #expect(result == 3)
        // Only the successful attempt's write survived.
        #expect(try connection.execute("SELECT string_agg(attempt::text, ',') FROM marks").scalar == "3")
    }

    @Test func otherErrorsAreNotRetriedAndRetriesAreBounded() throws {
        let cluster = try TestCatalogue()
        let connection = try cluster.ownerConnection()
        var attempts = 0
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                attempts += 1
                try connection.execute("SELECT 1 / 0")
            }
        }
        #expect(attempts == 1)
        attempts = 0
        do {
            try connection.transaction(attempts: 4) { connection in
                attempts += 1
                try connection.execute("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$")
            }
            Issue.record("a transaction that always deadlocks succeeded")
        } catch let error as PostgresError {
            #expect(error.sqlState == "40P01")
        }
        #expect(attempts == 4)
        // The connection is usable afterwards: no transaction was left open.
        #expect(try connection.execute("SELECT 1").scalar == "1")
    }

    @Test func aPipelineIsOneTransactionInOneRoundTrip() throws {
        let cluster = try TestCatalogue()
        let connection = try cluster.ownerConnection()
        let before = try connection.execute("SHOW search_path").scalar
        // A local setting made by the first statement holds for the second and ends with the transaction.
        let results = try connection.pipelined([
            .init("SELECT pg_catalog.set_config('search_path', $1, true)", ["nalabo_pipeline_test"]),
            .init("SELECT current_setting('search_path'), $1::int + 1", ["41"]),
        ])
        #expect(results.count == 2)
        #expect(results.last?.records.first?["current_setting"] == "nalabo_pipeline_test")
        #expect(results.last?.records.first?["?column?"] == "42")
        #expect(try connection.execute("SHOW search_path").scalar == before)
    }

    @Test func aFailingStatementRollsBackTheWholePipeline() throws {
        let cluster = try TestCatalogue()
        let connection = try cluster.ownerConnection()
        try connection.execute("CREATE TEMP TABLE marks (n integer)")
        do {
            _ = try connection.pipelined([
                .init("INSERT INTO marks VALUES ($1)", ["1"]),
                .init("SELECT 1 / 0"),
                .init("INSERT INTO marks VALUES ($1)", ["2"]),
            ])
            Issue.record("a pipeline with a division by zero succeeded")
        } catch let error as PostgresError {
            #expect(error.sqlState == "22012")
        }
        #expect(try connection.execute("SELECT count(*) FROM marks").scalar == "0")
        // The connection left pipeline mode and takes statements again.
        #expect(try connection.execute("SELECT 1").scalar == "1")
        let results = try connection.pipelined([.init("INSERT INTO marks VALUES (3)"), .init("SELECT count(*) FROM marks")])
        #expect(results.last?.scalar == "1")
    }
}
