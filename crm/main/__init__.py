"""Home (工作台), language switch and health check."""
