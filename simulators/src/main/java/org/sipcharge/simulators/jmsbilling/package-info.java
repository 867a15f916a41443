/**
 * A billing system that reads its own JMS queue ({@code sipcharge.billing.<system>}) with a plain Jakarta JMS
 * client: the example consumer of docs/billing-jms.md, and the simulator of such a billing system in the tests.
 */
package org.sipcharge.simulators.jmsbilling;
