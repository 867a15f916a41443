/**
 * The CDF's database schema: Flyway migrations run at start-up, before any bean of the charging module uses the
 * database. Each migration runs in its own transaction, managed by Flyway on the XA data source in local mode.
 */
package org.sipcharge.charging.infrastructure.persistence;
