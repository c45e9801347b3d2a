// Title row of a page: title, optional subtitle, and action buttons in the default slot.
export default {
  name: 'PageHeader',
  props: { title: { type: String, required: true }, subtitle: { type: String, default: '' } },
  template: `
    <div class="sb-page-header">
      <div>
        <h2 class="sb-page-title">{{ title }}</h2>
        <div v-if="subtitle" class="sb-page-subtitle">{{ subtitle }}</div>
      </div>
      <div class="sb-page-actions"><slot /></div>
    </div>`,
};
