/**
 * Benchmark helper: pauses and resumes delivery from a queue of the Artemis broker through its management address,
 * so a benchmark can measure one stage of the CDR path without the consumers behind it on the same cores.
 */
package org.sipcharge.simulators.broker;
