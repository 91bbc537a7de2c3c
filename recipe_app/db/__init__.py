"""Tables, the engine and the queries of the recipe studio."""
