// A checkbox per data category, with the explanation the patient reads on the consent screen.
import type { DataCategoryInfo } from "./operations";

export function CategoryChecks({
  categories,
  chosen,
  onChange,
}: {
  categories: DataCategoryInfo[];
  chosen: Set<string>;
  onChange: (next: Set<string>) => void;
}) {
  return categories.map((category) => (
    <label key={category.key} className="check">
      <input
        type="checkbox"
        name="category"
        value={category.key}
        checked={chosen.has(category.key)}
        onChange={(event) => {
          const next = new Set(chosen);
          if (event.target.checked) next.add(category.key);
          else next.delete(category.key);
          onChange(next);
        }}
      />
      <span>
        {category.label}
        <small className="muted">{category.explanation}</small>
      </span>
    </label>
  ));
}
