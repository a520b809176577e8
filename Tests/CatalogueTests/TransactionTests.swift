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
}
